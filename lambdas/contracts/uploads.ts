/** What counts as an upload that starts a job: shared by the trigger code and the CDK rule. */

/** Uploads under this prefix of the source bucket start jobs. */
export const UPLOAD_PREFIX = 'inbox/';

/** Suffixes that start a job, matched case-insensitively (`.MOV` and `.mov` alike). */
export const VIDEO_EXTENSIONS = ['mov', 'mp4', 'm4v', 'mkv', 'webm', 'mxf', 'avi'] as const;

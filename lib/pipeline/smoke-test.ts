/**
 * The post-deploy smoke test of the dev stage, as CodeBuild shell commands: the API's health, then
 * one tiny encode submitted through the API with the stage's first API key (read from API Gateway).
 * `API_URL` (the stage URL, ending in `/`) and `API_KEY_ID` come from the stage's CfnOutputs.
 */

/** Installs what the commands use beyond the standard image (ffmpeg makes the 2 s test clip). */
export const SMOKE_INSTALL_COMMANDS: readonly string[] = [
  'apt-get update -qq',
  'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg jq curl',
];

export function smokeTestCommands(timeoutSec: number): string[] {
  const polls = Math.max(1, Math.ceil(timeoutSec / 10));
  return [
    // 1. Health: public route, no key.
    'echo "health: ${API_URL}v1/health"',
    'curl -fsS --retry 5 --retry-all-errors --retry-delay 5 "${API_URL}v1/health"',
    // 2. A tiny encode through the API.
    'KEY=$(aws apigateway get-api-key --api-key "$API_KEY_ID" --include-value --query value --output text)',
    'ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=320x180:rate=24:duration=2 -f lavfi -i sine=frequency=440:duration=2 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest smoke.mp4',
    'BYTES=$(stat -c %s smoke.mp4)',
    'curl -fsS -X POST "${API_URL}v1/uploads" -H "x-api-key: $KEY" -H "content-type: application/json" -d "{\\"filename\\":\\"smoke.mp4\\",\\"bytes\\":$BYTES,\\"contentType\\":\\"video/mp4\\"}" > ticket.json',
    'jq -r \'.headers | to_entries[] | "\\(.key): \\(.value)"\' ticket.json > put-headers.txt',
    'curl -fsS -X PUT -H @put-headers.txt --upload-file smoke.mp4 "$(jq -r .url ticket.json)"',
    'jq -n --arg key "$(jq -r .key ticket.json)" \'{source:{key:$key},ladder:[{height:180,bitrateKbps:300}],outputs:{hls:true,dash:false,thumbnails:false,quality:false},tags:{smoke:"pipeline"}}\' > job.json',
    'JOB=$(curl -fsS -X POST "${API_URL}v1/jobs" -H "x-api-key: $KEY" -H "content-type: application/json" -d @job.json | jq -r .id)',
    'echo "encode: job $JOB"',
    `STATUS=QUEUED; for i in $(seq 1 ${polls}); do STATUS=$(curl -fsS "\${API_URL}v1/jobs/$JOB" -H "x-api-key: $KEY" | jq -r .status); echo "job $JOB: $STATUS"; case "$STATUS" in SUCCEEDED|FAILED|CANCELLED) break;; esac; sleep 10; done; test "$STATUS" = SUCCEEDED || { echo "job $JOB ended $STATUS (limit ${timeoutSec} s)"; false; }`,
  ];
}

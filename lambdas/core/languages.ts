/**
 * Language tags for manifests. Containers tag streams with ISO 639-2 codes (`eng`, `fre`/`fra`);
 * HLS `LANGUAGE` and DASH `lang` want BCP 47, whose primary subtag is the ISO 639-1 code where
 * one exists (`en`, `fr`). Codes without a two-letter form pass through lower-cased (still
 * well-formed BCP 47); anything that is not a tag becomes `und`.
 */

/** ISO 639-2 (terminology and bibliographic) → ISO 639-1, with an English name for menus. */
const LANGUAGES: Record<string, [string, string]> = {
  eng: ['en', 'English'], fra: ['fr', 'French'], fre: ['fr', 'French'], deu: ['de', 'German'], ger: ['de', 'German'],
  spa: ['es', 'Spanish'], ita: ['it', 'Italian'], por: ['pt', 'Portuguese'], nld: ['nl', 'Dutch'], dut: ['nl', 'Dutch'],
  jpn: ['ja', 'Japanese'], zho: ['zh', 'Chinese'], chi: ['zh', 'Chinese'], kor: ['ko', 'Korean'], rus: ['ru', 'Russian'],
  ara: ['ar', 'Arabic'], hin: ['hi', 'Hindi'], swe: ['sv', 'Swedish'], nor: ['no', 'Norwegian'], dan: ['da', 'Danish'],
  fin: ['fi', 'Finnish'], pol: ['pl', 'Polish'], tur: ['tr', 'Turkish'], ces: ['cs', 'Czech'], cze: ['cs', 'Czech'],
  ell: ['el', 'Greek'], gre: ['el', 'Greek'], heb: ['he', 'Hebrew'], hun: ['hu', 'Hungarian'], ind: ['id', 'Indonesian'],
  tha: ['th', 'Thai'], vie: ['vi', 'Vietnamese'], ukr: ['uk', 'Ukrainian'], ron: ['ro', 'Romanian'], rum: ['ro', 'Romanian'],
  cat: ['ca', 'Catalan'], hrv: ['hr', 'Croatian'], srp: ['sr', 'Serbian'], slk: ['sk', 'Slovak'], slo: ['sk', 'Slovak'],
  bul: ['bg', 'Bulgarian'], msa: ['ms', 'Malay'], may: ['ms', 'Malay'], fas: ['fa', 'Persian'], per: ['fa', 'Persian'],
};
const NAMES = new Map(Object.values(LANGUAGES).map(([two, name]) => [two, name]));

/** The BCP 47 tag for a stream's language tag (`eng` → `en`, `pt-BR` kept, `` → `und`). */
export function bcp47(tag: string | undefined): string {
  const t = (tag ?? '').trim();
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(t)) return 'und';
  const [primary, ...rest] = t.split('-');
  const p = primary.toLowerCase();
  const two = LANGUAGES[p]?.[0] ?? p;
  return [two, ...rest].join('-');
}

/** An English name for a menu (`en` → `English`), or null for an unknown or undetermined language. */
export function languageName(tag: string): string | null {
  return NAMES.get(bcp47(tag).split('-')[0]) ?? null;
}

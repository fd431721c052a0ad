/**
 * A Distributed Map on the local engine. aws-local-stepfunctions validates `ItemReader` and
 * `ResultWriter` but does not execute them (it maps over `ItemsPath` in-process), so a loaded
 * definition is rewritten, in this one place, into what it runs:
 *
 *   X (Map, ItemReader R, ResultWriter W)
 *   →  X·ItemReader (Task, Resource R's `s3:getObject`, Parameters R's, Catch X's) → X (Map over ItemsPath)
 *
 * The reader Task gets the object `Key` (its `Bucket` is the one of the stand-in substitutions) and
 * answers the parsed JSON array: the engine reads it from its blob store, the AWS-composition
 * harness from s3rver. The items land at the Map's own ResultPath, which the Map's result then
 * overwrites (a Map without one replaces its whole input), so nothing extra stays in the state.
 * ResultWriter becomes a ResultSelector giving the same small `{ MapRunArn, ResultWriterDetails }`
 * shape AWS answers (the results are not written: nothing reads them). Child executions run as
 * inline iterations, so a failing chunk fails the Map with its own error rather than AWS's
 * States.ExceedToleratedFailureThreshold.
 */

export const ITEM_READER_RESOURCE = 'arn:aws:states:::s3:getObject';
const READER_SUFFIX = '·ItemReader';
/** Where the items wait for a Map whose ResultPath is the whole state (`$`, the default). */
const HIDDEN_ITEMS_PATH = '$.mosaicMapItems';

type State = Record<string, unknown>;
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

/** Parameters of a reader Task as the engine receives them (after `.$` paths are resolved). */
export interface ItemReaderParameters {
  Bucket?: string;
  Key: string;
}

/** The name of the Task that reads the items of Map `map`. */
export const itemReaderState = (map: string): string => `${map}${READER_SUFFIX}`;

/**
 * Rewrites every Distributed Map with an ItemReader in `machine` (and in its branches and
 * processors) in place; returns the names of the reader Tasks it added.
 */
export function localizeDistributedMaps(machine: Machine): string[] {
  const readers: string[] = [];
  for (const [name, state] of Object.entries(machine.States)) {
    for (const branch of (state.Branches as Machine[] | undefined) ?? []) readers.push(...localizeDistributedMaps(branch));
    const processor = state.ItemProcessor as Machine | undefined;
    if (processor) readers.push(...localizeDistributedMaps(processor));
    const reader = state.ItemReader as { Resource: string; Parameters?: State } | undefined;
    if (state.Type !== 'Map' || !reader) continue;
    if (reader.Resource !== ITEM_READER_RESOURCE) throw new Error(`Map "${name}": the local engine reads items only with ${ITEM_READER_RESOURCE} (JSON), not ${reader.Resource}`);
    const itemsPath = typeof state.ResultPath === 'string' && state.ResultPath !== '$' ? state.ResultPath : HIDDEN_ITEMS_PATH;
    const readerName = itemReaderState(name);
    redirect(machine, name, readerName);
    machine.States[readerName] = {
      Type: 'Task',
      Resource: ITEM_READER_RESOURCE,
      Parameters: reader.Parameters ?? {},
      ResultPath: itemsPath,
      Next: name,
      ...(state.Catch ? { Catch: state.Catch } : {}),
    };
    delete state.ItemReader;
    state.ItemsPath = itemsPath;
    if (state.ResultWriter) {
      const writer = state.ResultWriter as { Parameters?: { Bucket?: string; Prefix?: string } };
      delete state.ResultWriter;
      state.ResultSelector = { MapRunArn: `local:${name}`, ResultWriterDetails: { Bucket: writer.Parameters?.Bucket ?? null, Key: null } };
    }
    readers.push(readerName);
  }
  return readers;
}

/** Every transition to `from` in this States block now goes to `to`. */
function redirect(machine: Machine, from: string, to: string): void {
  if (machine.StartAt === from) machine.StartAt = to;
  for (const state of Object.values(machine.States)) {
    if (state.Next === from) state.Next = to;
    if (state.Default === from) state.Default = to;
    for (const rule of [...((state.Choices as State[] | undefined) ?? []), ...((state.Catch as State[] | undefined) ?? [])]) if (rule.Next === from) rule.Next = to;
  }
}

/** The items of a reader Task: the object's JSON array. */
export function parseItems(key: string, body: Buffer | string): unknown[] {
  let items: unknown;
  try {
    items = JSON.parse(body.toString());
  } catch (e) {
    throw Object.assign(new Error(`ItemReader: ${key} is not JSON: ${(e as Error).message}`), { name: 'States.ItemReaderFailed' });
  }
  if (!Array.isArray(items)) throw Object.assign(new Error(`ItemReader: ${key} is not a JSON array`), { name: 'States.ItemReaderFailed' });
  return items;
}

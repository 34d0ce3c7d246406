import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

export interface Vector {
  name: string;
  kind: string;
  source: string;
  published: boolean;
  inputs: Record<string, unknown>;
  expected: Record<string, string>;
  intermediate?: Record<string, unknown>;
  notes?: string;
}

const file = fileURLToPath(new URL('./vectors.json', import.meta.url));
const all = (JSON.parse(readFileSync(file, 'utf8')) as {vectors: Vector[]}).vectors;

/** Published and cross-checked crypto vectors (copied from the project's reference notes). */
export function vectorsOfKind(kind: string): Vector[] {
  return all.filter((v) => v.kind === kind);
}

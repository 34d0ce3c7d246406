// Prints vitest's totals as one plain closing line: "vitest: N passed, N failed, N skipped".
import {readFileSync} from 'node:fs';

const r = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
console.log(`vitest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
if (r.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}

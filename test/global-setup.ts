// Integration tests run the built CLI and daemon: build once before any test file starts, and
// type-check the tests too (vitest itself only strips types).
import {execFileSync} from 'node:child_process';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], {stdio: 'inherit'});
  execFileSync('npx', ['tsc', '-p', 'tsconfig.test.json'], {stdio: 'inherit'});
}

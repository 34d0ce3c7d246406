// Integration tests run the built CLI and daemon: build once before any test file starts.
import {execFileSync} from 'node:child_process';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], {stdio: 'inherit'});
}

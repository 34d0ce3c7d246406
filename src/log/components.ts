// Debug components, toggled at runtime. The kernel's seven come first and are always shown, in the
// kernel's order, so that `ksmbd control -d smb` prints the exact text of /sys/class/ksmbd-control/debug
// and scripts that grep `[smb]` keep working. Our own components (rpc, apple) appear only while on:
// listing them always would change the kernel line that people and scripts expect.

export const KERNEL_COMPONENTS = ['smb', 'auth', 'vfs', 'oplock', 'ipc', 'conn', 'rdma'] as const;
export const EXTRA_COMPONENTS = ['rpc', 'apple'] as const;
export const ALL_COMPONENTS = [...KERNEL_COMPONENTS, ...EXTRA_COMPONENTS] as const;
export type DebugComponent = (typeof ALL_COMPONENTS)[number];

export function isDebugComponent(s: string): s is DebugComponent {
  return (ALL_COMPONENTS as readonly string[]).includes(s);
}

/** What `-d` accepts: a component or `all` (case-insensitive, surrounding blanks ignored). */
export function parseToggleName(s: string): DebugComponent | 'all' | undefined {
  const n = s.trim().toLowerCase();
  if (n === 'all') return 'all';
  return isDebugComponent(n) ? n : undefined;
}

export function toggleNames(): string {
  return ['all', ...ALL_COMPONENTS].join(', ');
}

export class DebugSwitches {
  private readonly on = new Set<DebugComponent>();

  isOn(c: DebugComponent): boolean {
    return this.on.has(c);
  }

  enabled(): DebugComponent[] {
    return ALL_COMPONENTS.filter((c) => this.on.has(c));
  }

  /**
   * Toggle one component, or `all` as the kernel does: set every bit unless all are set already, in
   * which case clear them. Returns false for a name that is not a component.
   */
  toggle(name: string): boolean {
    const t = parseToggleName(name);
    if (t === undefined) return false;
    if (t === 'all') {
      const allOn = ALL_COMPONENTS.every((c) => this.on.has(c));
      for (const c of ALL_COMPONENTS) {
        if (allOn) this.on.delete(c);
        else this.on.add(c);
      }
    } else if (this.on.has(t)) this.on.delete(t);
    else this.on.add(t);
    return true;
  }

  setAll(on: boolean): void {
    for (const c of ALL_COMPONENTS) {
      if (on) this.on.add(c);
      else this.on.delete(c);
    }
  }

  /** `[smb] auth vfs oplock ipc conn [rdma] ` — each name then one space, enabled ones in brackets, no newline. */
  line(): string {
    const shown = [...KERNEL_COMPONENTS, ...EXTRA_COMPONENTS.filter((c) => this.on.has(c))];
    return shown.map((c) => (this.on.has(c) ? `[${c}] ` : `${c} `)).join('');
  }
}

import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

// 80x24 is what an SSH session to a bastion gives when it says nothing else.
const FALLBACK: TerminalSize = { columns: 80, rows: 24 };

/** The terminal's size, following resize; explicit sizes (tests, attach clients) win. */
export function useTerminalSize(fixed: Partial<TerminalSize> = {}): TerminalSize {
  const { stdout } = useStdout();
  const measure = (): TerminalSize => ({
    columns: fixed.columns ?? (stdout.columns || FALLBACK.columns),
    rows: fixed.rows ?? (stdout.rows || FALLBACK.rows),
  });
  const [size, setSize] = useState(measure);
  useEffect(() => {
    const resized = () => {
      const next = measure();
      setSize((size) => (size.columns === next.columns && size.rows === next.rows ? size : next));
    };
    resized();
    stdout.on('resize', resized);
    return () => {
      stdout.off('resize', resized);
    };
    // measure reads only stdout and the fixed sizes
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed.columns, fixed.rows]);
  return size;
}

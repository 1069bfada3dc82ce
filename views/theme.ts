import { createContext, useContext } from 'react';

// Colour carries meaning only: pass, fail, running, waiting, muted. Every
// state also has a glyph and a word, so the plain theme (NO_COLOR, a bastion's
// monochrome terminal) reads the same without a single escape byte.

export type Tone = 'pass' | 'fail' | 'running' | 'waiting' | 'muted' | 'text' | 'accent';

export interface ToneStyle {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
}

export interface Theme {
  name: 'colour' | 'plain';
  tone: Record<Tone, ToneStyle>;
  /** How the highlighted choice and the focused pane stand out beyond their marker glyph. */
  selected: ToneStyle & { inverse?: boolean };
  /** Command output keeps its own colours only when the theme has colour. */
  keepsOutputColour: boolean;
}

export const glyph = {
  pass: '✔',
  fail: '✘',
  running: '●',
  waiting: '○',
  pending: '○',
  inconclusive: '?',
  rollback: '↺',
  pointer: '▸',
  bullet: '·',
  cursor: '▌',
} as const;

export const colourTheme: Theme = {
  name: 'colour',
  tone: {
    pass: { color: 'green' },
    fail: { color: 'red', bold: true },
    running: { color: 'cyan' },
    waiting: { color: 'yellow' },
    muted: { dimColor: true },
    text: {},
    accent: { color: 'magenta', bold: true },
  },
  selected: { inverse: true, bold: true },
  keepsOutputColour: true,
};

export const plainTheme: Theme = {
  name: 'plain',
  tone: { pass: {}, fail: {}, running: {}, waiting: {}, muted: {}, text: {}, accent: {} },
  selected: {},
  keepsOutputColour: false,
};

/** no-color.org: NO_COLOR present and not empty disables colour. */
export function themeFor(env: NodeJS.ProcessEnv): Theme {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? plainTheme : colourTheme;
}

// SGR only: the session has already removed every other control sequence.
const SGR = /\u001B\[[0-9;:]*m/g;
export const withoutColour = (text: string): string => text.replace(SGR, '');

export const ThemeContext = createContext<Theme | null>(null);

export function useTheme(): Theme {
  const theme = useContext(ThemeContext);
  if (!theme) throw new Error('useTheme() outside <ThemeContext.Provider>');
  return theme;
}

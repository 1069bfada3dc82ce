import { Box } from 'ink';
import { useMemo } from 'react';
import { stepOf } from './answerPrompt.js';
import { AnnouncementLog } from './AnnouncementLog.js';
import { pendingQuestion } from './decisions.js';
import { activityOf, currentStep, deployProgress, elapsedMs, gateStates, phaseStatus, PHASES, stageTitle, statePath } from './describe.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { KeyBar } from './KeyBar.js';
import { keysValidNow, type KeyMode } from './keys.js';
import { layout } from './layout.js';
import { Line } from './Line.js';
import { MetricsPane } from './MetricsPane.js';
import { metricRows } from './metricRows.js';
import { OUTCOME_LINES, OutcomePanel } from './OutcomePanel.js';
import { OutputPane } from './OutputPane.js';
import { PhaseTimeline } from './PhaseTimeline.js';
import type { ConsoleSession } from './port.js';
import { PromptArea, promptLines } from './PromptArea.js';
import { isTyping, type PromptStep } from './promptFlow.js';
import { QUIT_PROMPT_LINES, QuitPrompt } from './QuitPrompt.js';
import { ThemeContext, themeFor, type Theme } from './theme.js';
import { useConsoleKeys } from './useConsoleKeys.js';
import { focusOf, useConsoleState } from './useConsoleState.js';
import { ConsoleSessionContext, useConsoleSession, useSession } from './useSession.js';
import { useTailWindow } from './useTailWindow.js';
import { useTerminalSize } from './useTerminalSize.js';
import { WhyPanel } from './WhyPanel.js';
import { whyLines, wrapWhy } from './why.js';

export interface AppProps {
  session: ConsoleSession;
  theme?: Theme;
  /** Fixed sizes (tests, attach clients); otherwise the terminal's, following resize. */
  columns?: number;
  rows?: number;
}

/** How the console left: the operator quit a live session, or looked at its ending. */
export type ExitReason = 'quit' | 'ended';

/** The war room: providers around one screen. */
export function App({ session, theme = themeFor(process.env), columns, rows }: AppProps) {
  return (
    <ThemeContext.Provider value={theme}>
      <ConsoleSessionContext.Provider value={session}>
        <WarRoom columns={columns} rows={rows} />
      </ConsoleSessionContext.Provider>
    </ThemeContext.Provider>
  );
}

function keyMode(done: boolean, overlay: string | undefined, step: PromptStep | undefined): KeyMode {
  if (done) return 'ended';
  if (overlay === 'help') return 'help';
  if (overlay === 'quit') return 'quitting';
  if (!step) return 'watching';
  if (isTyping(step)) return 'typing';
  return step.step === 'confirm' ? 'confirming' : step.step === 'people' ? 'picking-person' : 'choosing';
}

function WarRoom({ columns, rows }: { columns?: number; rows?: number }) {
  const session = useConsoleSession();
  const snapshot = useSession();
  const size = useTerminalSize({ columns, rows });
  const [state, store] = useConsoleState();
  const { context } = snapshot;
  const done = snapshot.status === 'done';
  const question = useMemo(() => pendingQuestion(snapshot, session.operator, state.stopping), [snapshot, session.operator, state.stopping]);
  const step = question && stepOf(state, question);
  const attendees = session.attendees();
  const presence = attendees.map((a) => `${a.name ? `${a.name} (${a.user})` : a.user} ${a.role}`).join(', ');
  const why = useMemo(
    () => wrapWhy([...whyLines(snapshot), ...(presence ? [{ tone: 'muted' as const, text: `Attached: ${presence}` }] : [])], Math.max(40, size.columns)),
    [snapshot, size.columns, presence],
  );
  const metrics = useMemo(() => metricRows(context), [context]);
  const focus = focusOf(state, question?.key);
  const notice = state.notice && context.now < state.notice.until ? state.notice : undefined;

  const promptHeight = question && step ? promptLines(question, step) : notice ? 1 : 0;
  const decision = done ? OUTCOME_LINES : state.overlay === 'quit' ? QUIT_PROMPT_LINES : why.length + promptHeight;
  const box = layout({ ...size, metrics: metrics.length, decision });
  const output = useTailWindow(session.output, Math.max(0, box.output - 1));
  const log = useTailWindow(session.announcements, Math.max(0, box.announcements - 1));
  useConsoleKeys(session, store, { output: { view: output, page: Math.max(1, box.output - 2) }, log: { view: log, page: Math.max(1, box.announcements - 1) } });

  const activity = activityOf(snapshot);
  const path = statePath(snapshot);
  const soakLeftMs = context.soak && path[0] === 'stabilisation' && /soak/i.test(path[1] ?? '') ? Math.max(0, context.soak.endsAt - context.now) : undefined;
  const offers = {
    rollback: !!question?.options.some((o) => o.kind === 'rollback'),
    abort: !!question?.options.some((o) => o.kind === 'abort'),
    refuse: question?.kind === 'approval' || question?.kind === 'acknowledgement',
  };
  const outputWidth = box.metricsBeside ? box.width - box.metricsWidth - 1 : box.width;
  const metricsPane = <MetricsPane rows={metrics} height={box.metrics} width={box.metricsWidth} soakLeftMs={soakLeftMs} extensions={context.soak?.extensions ?? 0} />;

  return (
    <Box flexDirection="column" width={box.width} height={box.height} overflow="hidden">
      <Header context={context} stage={stageTitle(snapshot)} elapsedMs={elapsedMs(context)} gates={gateStates(context)} attached={attendees.length} />
      <PhaseTimeline
        phases={PHASES.map((p) => ({ number: p.number, title: p.title, status: phaseStatus(snapshot, p) }))}
        step={activity === 'halted' && context.halt ? context.halt.step : currentStep(snapshot)}
        activity={activity}
        progress={context.productionStarted ? deployProgress(context) : undefined}
        outcome={context.outcome}
      />
      {state.overlay === 'help' ? <HelpOverlay height={box.height - box.header - box.timeline - box.keyBar} /> : null}
      {/* Hidden, not unmounted, under help: the panes keep their scroll position. */}
      <Box flexDirection="column" display={state.overlay === 'help' ? 'none' : 'flex'}>
        <Box height={box.output}>
          <OutputPane view={output} total={session.output.total} height={box.output} width={outputWidth} focused={focus === 'output'} />
          {box.metricsBeside ? <Box marginLeft={1}>{metricsPane}</Box> : null}
        </Box>
        {!box.metricsBeside && metrics.length > 0 ? metricsPane : null}
        <Box flexDirection="column" height={box.decision} overflow="hidden">
          {done ? (
            <OutcomePanel context={context} evidenceDir={session.evidenceDir} width={box.width} />
          ) : state.overlay === 'quit' ? (
            <QuitPrompt resumeCommand={session.resumeCommand} />
          ) : (
            <>
              <WhyPanel lines={why} height={box.decision - promptHeight} />
              {question && step ? (
                <PromptArea question={question} step={step} notice={notice} tag={context.plan.release.tag} release={`${context.plan.release.name} ${context.plan.release.tag}`} operator={session.operator} focused={focus === 'prompt'} />
              ) : notice ? (
                <Line tone={notice.tone}>{notice.text}</Line>
              ) : null}
            </>
          )}
        </Box>
        <AnnouncementLog view={log} total={session.announcements.total} height={box.announcements} focused={focus === 'log'} />
      </Box>
      <KeyBar keys={keysValidNow(keyMode(done, state.overlay, step), offers)} />
    </Box>
  );
}

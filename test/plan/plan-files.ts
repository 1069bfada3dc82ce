import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A small valid plan; tests change one line to make one problem, so positions stay known. */
export const VALID_PLAN = `version: 1
release:
  name: payments
  tag: v1.2.3
  environment: production
  services: [api]
  strategy: canary
stakeholders:
  - {name: Alex Kim, role: sre, user: alex}
  - {name: Taylor Reed, role: product-owner, user: taylor}
approvals:
  production: [product-owner, sre]
freeze:
  acknowledge: [sre]
deploy:
  steps:
    - name: canary
      run: [./scripts/deploy.sh, "\${TAG}"]
rollback:
  run: [scripts/rollback.sh]
checks:
  - name: smoke
    run: ["true"]
health:
  soak: 1m
  metrics:
    - {name: cpu, source: system, field: cpu, max: 90}
`;

export async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'warroom-plan-'));
}

/** A plan folder with the scripts VALID_PLAN runs; returns the folder. */
export async function planFolder(planText: string = VALID_PLAN, extraFiles: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir();
  const files: Record<string, string> = {
    'release.yaml': planText,
    'scripts/deploy.sh': '#!/bin/sh\necho deploy\n',
    'scripts/rollback.sh': '#!/bin/sh\necho rollback\n',
    ...extraFiles,
  };
  for (const [name, text] of Object.entries(files)) {
    const target = path.join(dir, name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
    if (name.endsWith('.sh')) await chmod(target, 0o755);
  }
  return dir;
}

/** VALID_PLAN with one exact piece of text replaced; fails loudly if the text is not there. */
export function planWith(from: string, to: string, base: string = VALID_PLAN): string {
  if (!base.includes(from)) throw new Error(`test plan has no ${JSON.stringify(from)}`);
  return base.replace(from, to);
}

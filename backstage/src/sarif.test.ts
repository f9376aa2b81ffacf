import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import '@microsoft/jest-sarif';
import { renderNewRepo, scaffolderCommand } from './__testUtils__/scaffolderCli';

/**
 * `scaffolder diff --format sarif` checked against the SARIF 2.1.0 schema (Microsoft's
 * `@microsoft/jest-sarif`), the format GitHub code scanning ingests. The report covers a
 * drifted file, a failed rule on a repo-level placeholder location and an exempted rule
 * (a suppression).
 */
describe('scaffolder diff --format sarif', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sarif-'));
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is a valid SARIF 2.1.0 log with rules, locations, fingerprints and suppressions', async () => {
    const repo = path.join(dir, 'payments');
    await renderNewRepo({
      goldenPath: 'service',
      dest: repo,
      version: '1.0.0',
      values: { name: 'payments' },
    });
    await fs.appendFile(path.join(repo, 'README.md'), '\nLocal notes.\n');
    await fs.rm(path.join(repo, 'CODEOWNERS'));
    await fs.rm(path.join(repo, 'deploy/base/horizontalpodautoscaler.yaml'));
    await fs.mkdir(path.join(repo, '.scaffolder'));
    await fs.writeFile(
      path.join(repo, '.scaffolder/exemptions.yml'),
      'exemptions:\n  - rule: SVC005\n    reason: scaled by its queue\n    expires: 2099-01-01\n',
    );
    const [executable, ...leading] = scaffolderCommand();
    // Exit 2 (drift and failed rules) is the expected outcome here, not an error.
    const stdout = await promisify(execFile)(
      executable,
      [...leading, 'diff', repo, '--against', '1.0.0', '--format', 'sarif'],
      { encoding: 'utf8' },
    ).then(
      r => r.stdout,
      (error: { code?: number; stdout?: string }) => {
        expect(error.code).toBe(2);
        return error.stdout ?? '';
      },
    );
    const log = JSON.parse(stdout);
    expect(log).toBeValidSarifLog();
    // The matcher is a real check: a result without a message is not valid SARIF.
    const broken = JSON.parse(stdout);
    delete broken.runs[0].results[0].message;
    expect(broken).not.toBeValidSarifLog();

    const run = log.runs[0];
    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ruleIds).toEqual(
      expect.arrayContaining(['drift/modified', 'drift/deleted', 'SVC010', 'SVC005']),
    );
    for (const rule of run.tool.driver.rules) {
      if (rule.id.startsWith('SVC')) {
        expect(rule.help.text).toContain('Fix:');
        expect(rule.helpUri).toMatch(/^https:\/\//);
      }
    }
    const byRule = (id: string) => run.results.filter((r: { ruleId: string }) => r.ruleId === id);
    expect(byRule('drift/modified')[0].locations[0].physicalLocation.artifactLocation.uri).toBe(
      'README.md',
    );
    // A missing file is a repo-level finding: anchored on the answers file, line 1.
    const codeowners = byRule('SVC010')[0];
    expect(codeowners.locations[0].physicalLocation.artifactLocation.uri).toBe(
      '.copier-answers.yml',
    );
    expect(codeowners.locations[0].physicalLocation.region.startLine).toBe(1);
    expect(codeowners.partialFingerprints['scaffolderFinding/v1']).toMatch(/^[0-9a-f]{32}$/);
    const exempted = byRule('SVC005')[0];
    expect(exempted.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'scaled by its queue' },
    ]);
  });
});

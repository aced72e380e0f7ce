import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Copy, DockerfileParser, Instruction } from 'dockerfile-ast';
import { WORKLOAD_GID, WORKLOAD_UID } from '../../lib/config/workload-identity';

const IMAGE_DIR = path.join(__dirname, '..', '..', 'image');
const dockerfile = DockerfileParser.parse(readFileSync(path.join(IMAGE_DIR, 'Dockerfile'), 'utf8'));
const instructions = dockerfile.getInstructions();

function only(keyword: string): Instruction {
  const found = instructions.filter((i) => i.getKeyword() === keyword);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('image/Dockerfile', () => {
  it('builds FROM an exact Python version tag, never latest', () => {
    const froms = dockerfile.getFROMs();
    expect(froms).toHaveLength(1);
    const from = froms[0];
    expect(from.getImageName()).toBe('python');
    const tag = from.getImageTag() ?? '';
    // major.minor.patch plus the Debian release, so neither Python nor the OS moves under the same tag.
    expect(tag).toMatch(/^3\.\d+\.\d+-slim-(bookworm|trixie)$/);
    const digest = from.getImageDigest();
    if (digest !== null) expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  it('runs as the numeric workload user and group', () => {
    const user = only('USER').getArgumentsContent();
    expect(user).toBe(`${WORKLOAD_UID}:${WORKLOAD_GID}`);
    expect(user).toMatch(/^\d+:\d+$/);
    expect(WORKLOAD_UID).not.toBe(0);
    // USER comes after every COPY, so nothing is copied in as the unprivileged user by accident.
    const userLine = only('USER').getRange().start.line;
    for (const copy of dockerfile.getCOPYs()) expect(copy.getRange().start.line).toBeLessThan(userLine);
  });

  it('starts the program in exec form', () => {
    const cmd = dockerfile.getCMDs();
    expect(cmd).toHaveLength(1);
    expect(cmd[0].getJSONStrings().map((s) => s.getJSONValue())).toEqual(['python3', '/app/print-platform-info.py']);
    expect(dockerfile.getENTRYPOINTs()).toEqual([]);
  });

  it('copies the program root-owned and read-only', () => {
    const copies: Copy[] = dockerfile.getCOPYs();
    expect(copies).toHaveLength(1);
    const flags = Object.fromEntries(copies[0].getFlags().map((f) => [f.getName(), f.getValue()]));
    expect(flags).toEqual({ chown: '0:0', chmod: '0444' });
    expect(copies[0].getArguments().map((a) => a.getValue())).toEqual(['print-platform-info.py', '/app/print-platform-info.py']);
  });

  it('writes no bytecode and does not buffer output, so a read-only root filesystem works', () => {
    const env = Object.fromEntries(dockerfile.getENVs().flatMap((e) => e.getProperties().map((p) => [p.getName(), p.getValue()])));
    expect(env).toMatchObject({ PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' });
    // Nothing is installed or written at build time either: the image is the base plus one file.
    expect(instructions.filter((i) => ['RUN', 'ADD', 'VOLUME'].includes(i.getKeyword()))).toEqual([]);
  });

  it('has a .dockerignore that sends only the program', () => {
    const ignore = path.join(IMAGE_DIR, '.dockerignore');
    expect(existsSync(ignore)).toBe(true);
    const patterns = readFileSync(ignore, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(patterns).toEqual(['*', '!print-platform-info.py']);
  });
});

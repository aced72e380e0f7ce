// Jest environment for `npm run mutate` only (jest.stryker.config.js), wrapped by Stryker's own environment.
// The tests synthesize their stacks once per file at module load (the team rule), which Stryker's per-test
// coverage counts as "static": every such mutant would run the whole suite. Code that runs while the test
// file loads, or in a beforeAll/afterAll, is instead credited to every test of that file or describe block,
// so a mutant runs exactly the tests that could see it.
'use strict';
const { TestEnvironment } = require('jest-environment-node');

const FILE_SCOPE = '__mixed_arch_eks_file_scope__';
const HOOK_SCOPE = '__mixed_arch_eks_hook_scope__';

function blockName(block) {
  if (!block.parent) return '';
  return `${blockName(block.parent)} ${block.name}`.trimStart();
}
// Stryker's test id: the describe names and the test name, space separated.
function testIds(block, ids = []) {
  for (const child of block.children) {
    if (child.type === 'test') ids.push(`${blockName(child.parent)} ${child.name}`.trimStart());
    else testIds(child, ids);
  }
  return ids;
}

class MutationCoverageEnvironment extends TestEnvironment {
  stryker() {
    return this.global[this.global.__strykerGlobalNamespace__ ?? '__stryker__'];
  }
  /** Moves what was covered under `scope` to each of `ids`. */
  credit(scope, ids) {
    const ctx = this.stryker();
    const perTest = ctx && ctx.mutantCoverage && ctx.mutantCoverage.perTest;
    if (!perTest || !perTest[scope]) return;
    for (const id of ids) {
      const target = (perTest[id] ??= {});
      for (const [mutant, hits] of Object.entries(perTest[scope])) target[mutant] = (target[mutant] ?? 0) + hits;
    }
    delete perTest[scope];
  }
  setCurrent(id) {
    const ctx = this.stryker();
    if (ctx) ctx.currentTestId = id;
  }
  handleTestEvent(event, state) {
    const hookAll = (event.hook && (event.hook.type === 'beforeAll' || event.hook.type === 'afterAll'));
    switch (event.name) {
      case 'setup':
        this.setCurrent(FILE_SCOPE);
        break;
      case 'run_start':
        this.setCurrent(undefined);
        this.credit(FILE_SCOPE, testIds(state.rootDescribeBlock));
        break;
      case 'hook_start':
        if (hookAll) this.setCurrent(HOOK_SCOPE);
        break;
      case 'hook_success':
      case 'hook_failure':
        if (hookAll) {
          this.setCurrent(undefined);
          this.credit(HOOK_SCOPE, testIds(event.hook.parent));
        }
        break;
      default:
    }
  }
}
module.exports = MutationCoverageEnvironment;

#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lib/config/errors';
import { pretendTodayNotice } from '../lib/config/kubernetes-versions';
import { runningVersionFromAssembly } from '../lib/config/version-step';
import { STACK_NAME, buildApp } from './app';

// No auto-synth at exit: a rejected configuration must leave no cloud assembly behind.
const app = new App({ autoSynth: false });
const notice = pretendTodayNotice();
if (notice) console.error(notice);
try {
  // The cdk CLI reuses its output folder (cdk.out): the template there, read before this synth replaces it, holds
  // the version of the last synth, which a step of more than one minor version must not leave behind.
  buildApp(app, process.env, { runningVersion: () => runningVersionFromAssembly(app.outdir, STACK_NAME) }).app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the user's to fix: print it alone, without a stack trace.
  console.error(error.message);
  process.exitCode = 1;
}

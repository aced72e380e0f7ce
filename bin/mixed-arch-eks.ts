#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lib/config/errors';
import { pretendTodayNotice } from '../lib/config/kubernetes-versions';
import { buildApp } from './app';

// No auto-synth at exit: a rejected configuration must leave no cloud assembly behind.
const app = new App({ autoSynth: false });
const notice = pretendTodayNotice();
if (notice) console.error(notice);
try {
  buildApp(app).app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the user's to fix: print it alone, without a stack trace.
  console.error(error.message);
  process.exitCode = 1;
}

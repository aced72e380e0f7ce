#!/usr/bin/env node
import { pretendTodayNotice } from '../lib/config/kubernetes-versions';
import { runCostCli } from '../lib/cost/cli';

const notice = pretendTodayNotice();
if (notice) console.error(notice);

process.exitCode = runCostCli(process.argv.slice(2));

#!/usr/bin/env node
import { runCostCli } from '../lib/cost/cli';

process.exitCode = runCostCli(process.argv.slice(2));

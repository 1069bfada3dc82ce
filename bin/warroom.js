#!/usr/bin/env node
// The CLI lives in the build; this shim only loads it.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));

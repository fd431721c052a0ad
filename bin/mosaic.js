#!/usr/bin/env node
// Runs the CLI from a cached JavaScript bundle of bin/mosaic.ts, built on the first run after a
// source change (bin/cli-launch.mjs); falls back to running the TypeScript with tsx.
import { launch } from './cli-launch.mjs';
await launch();

#!/usr/bin/env node
import '../dist/cli/safe-npm.js';

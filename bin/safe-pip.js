#!/usr/bin/env node
import '../dist/cli/safe-pip.js';

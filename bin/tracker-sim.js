#!/usr/bin/env node
'use strict';
require('../dist/cli/tracker-sim.js');

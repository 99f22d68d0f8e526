'use strict';
// Preloaded (node -r) into the Node-RED that `npm run soak` soaks: answers the soak's IPC question "memory" with the
// process's memory, its longest event-loop stall and GC pause since the last question (after a full GC when asked
// "memory-gc": the soak asks for that only outside measured latency).
const { PerformanceObserver, monitorEventLoopDelay } = require('node:perf_hooks');

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let gcMax = 0;
let gcTotal = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMax = Math.max(gcMax, e.duration);
    gcTotal += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

process.on('message', (question) => {
  if (question !== 'memory' && question !== 'memory-gc') return;
  if (question === 'memory-gc' && global.gc) global.gc();
  const m = process.memoryUsage();
  process.send?.({
    rss: m.rss,
    heapUsed: m.heapUsed,
    loopMaxMs: loop.max / 1e6,
    loopP99Ms: loop.percentile(99) / 1e6,
    gcMaxMs: gcMax,
    gcTotalMs: gcTotal,
  });
  loop.reset();
  gcMax = 0;
  gcTotal = 0;
});

'use strict';
// Preloaded (node -r) into the Node-RED that `npm run soak` soaks: answers the soak's IPC question "memory" with the
// process's memory, after a full GC when asked "memory-gc" (the soak asks for that only outside measured latency).
process.on('message', (question) => {
  if (question !== 'memory' && question !== 'memory-gc') return;
  if (question === 'memory-gc' && global.gc) global.gc();
  const m = process.memoryUsage();
  process.send?.({ rss: m.rss, heapUsed: m.heapUsed });
});

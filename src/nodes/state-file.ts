/** Where nodes keep state that must outlive redeploys and restarts: files under the Node-RED user directory. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeAPI } from 'node-red';

/** <userDir>/<folder>/<node id>.json (the system temp folder when Node-RED has no user dir). */
export function stateFile(RED: NodeAPI, folder: string, nodeId: string): string {
  const dir = (RED.settings as unknown as { userDir?: string }).userDir || join(tmpdir(), 'node-red-gps-trackers');
  return join(dir, folder, `${nodeId.replace(/[^\w.-]/g, '_')}.json`);
}

/**
 * State files are rewritten at most this often (and on close): often enough that a crash loses little, rarely
 * enough that thousands of devices do not wear out a Raspberry Pi's SD card.
 */
export const STATE_WRITE_MS = 5000;

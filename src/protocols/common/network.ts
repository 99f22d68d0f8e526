/** Cells and Wi-Fi access points of a record (`msg.network`), the same way in every codec. */
import type { CellTower, TrackerMessage, WifiAccessPoint } from '../../types';
import type { Reader } from './reader';

export function addCell(msg: TrackerMessage, cell: CellTower): void {
  msg.network ??= {};
  msg.network.cellTowers ??= [];
  msg.network.cellTowers.push(cell);
}

export function addWifi(msg: TrackerMessage, ap: WifiAccessPoint): void {
  msg.network ??= {};
  msg.network.wifiAccessPoints ??= [];
  msg.network.wifiAccessPoints.push(ap);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Six bytes as `aa:bb:cc:dd:ee:ff`. */
export function readMac(r: Reader): string {
  const b = r.slice(6);
  return `${HEX[b[0]]}:${HEX[b[1]]}:${HEX[b[2]]}:${HEX[b[3]]}:${HEX[b[4]]}:${HEX[b[5]]}`;
}

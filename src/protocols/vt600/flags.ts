/** VT600 bitfields (docs/protocols/vt600.md): system status, digital inputs and outputs. */
import { bitNames, type FlagTable, type ProtocolFlags } from '../common/flags';

export const VT600_SYSTEM: FlagTable = {
  title: 'VT600 system status',
  field: 'systemStatus',
  group: 'status',
  bits: bitNames(
    'server1Connected',
    'server2Connected',
    'gpsValid',
    'externalPower',
    'gpsAntennaConnected',
    'stopped',
    'armed',
    'driverLoggedIn',
    'removed',
  ),
};

/** Input 2 is usually wired to the ignition, input 3 to a door. */
export const VT600_INPUTS: FlagTable = {
  title: 'VT600 digital inputs',
  field: 'inputs',
  group: 'io',
  bits: bitNames('input1', 'input2', 'input3', 'input4', 'input5', 'input6', 'input7', 'input8'),
};

export const VT600_OUTPUTS: FlagTable = {
  title: 'VT600 digital outputs',
  field: 'outputs',
  group: 'io',
  bits: bitNames('output1', 'output2', 'output3', 'output4', 'output5', 'output6', 'output7', 'output8'),
};

export const vt600Flags: ProtocolFlags = {
  alarmsAreEvents: true, // event codes: one report per occurrence
  tables: [VT600_SYSTEM, VT600_INPUTS, VT600_OUTPUTS],
};

export { expandFlags, type ExpandedFlags, type FlagGroup } from './expand';
export { flagChanges, type FlagChanges, type FlagState } from './edges';

/** The one vocabulary: alarm names, attribute keys with their units, record types, events and commands. */
export * from './alarms';
export * from './attributes';
export * from './records';

/**
 * The part of a pino logger the store uses, so a `pino.Logger` can be passed without this package
 * depending on pino.
 */
export interface StoreLogger {
  child(bindings: Record<string, unknown>): StoreLogger;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;

export const silentLogger: StoreLogger = {
  child: () => silentLogger,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
};

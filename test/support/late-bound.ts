/**
 * A stand-in for an object that exists only once beforeAll has made it, so a describe block can name it as a const.
 * Read too early, it says so instead of failing later on an undefined.
 */
export function lateBound<T extends object>(what: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, property) {
      const target = current();
      if (target === undefined) throw new Error(`${what} is not started yet: use it in a hook or a test`);
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

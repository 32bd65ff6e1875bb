// Loaded into the producer under test (NODE_OPTIONS=--require): on SIGUSR2 it prints one JSON line
// saying whether any built-in prototype gained, lost or changed a property since the process
// started, and whether a fresh object inherits anything. The poisoning check of the hostile corpus,
// made inside the process that parsed the corpus.
const watched = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype };
const snapshot = (proto) => new Map(Reflect.ownKeys(proto).map((key) => [key, Object.getOwnPropertyDescriptor(proto, key)]));
const before = Object.fromEntries(Object.entries(watched).map(([name, proto]) => [name, snapshot(proto)]));

process.on('SIGUSR2', () => {
  const changed = [];
  for (const [name, proto] of Object.entries(watched)) {
    const now = snapshot(proto);
    for (const [key, descriptor] of now) {
      const was = before[name].get(key);
      if (!was || was.value !== descriptor.value || was.get !== descriptor.get || was.set !== descriptor.set) changed.push(`${name}.prototype.${String(key)}`);
    }
    for (const key of before[name].keys()) if (!now.has(key)) changed.push(`${name}.prototype.${String(key)} (deleted)`);
  }
  const inherited = [];
  for (const key in {}) inherited.push(key);
  process.stdout.write(`${JSON.stringify({ prototypeCheck: { clean: changed.length === 0 && inherited.length === 0, changed, inherited } })}\n`);
});

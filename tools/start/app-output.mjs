// Where an app's output goes while `npm start` runs. Its stdout is pino's JSON, one line per entry:
// in a terminal it is printed readable (pino-pretty), anywhere else as it is, so `npm start > file`,
// a log shipper or `npm start | npx pino-pretty` get one JSON shape. Anything on its stderr (Node
// itself, a crash before the logger exists) is not JSON and keeps an "[app] " prefix.
import { prettyFactory } from 'pino-pretty';

/** Calls `onLine` with each complete line of a stream. */
function eachLine(stream, onLine) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => rest && onLine(rest));
}

export function forwardAppOutput(name, child, { stdout = process.stdout, stderr = process.stderr } = {}) {
  if (stdout.isTTY) {
    const pretty = prettyFactory({
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service,context',
      messageFormat: `${name} {if context}{context}: {end}{msg}`,
      singleLine: true,
    });
    eachLine(child.stdout, (line) => stdout.write(pretty(line)));
  } else {
    eachLine(child.stdout, (line) => stdout.write(`${line}\n`));
  }
  eachLine(child.stderr, (line) => stderr.write(`[${name}] ${line}\n`));
}

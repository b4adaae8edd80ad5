// Every command that prints a result can print it as JSON instead (`--json`), one object on stdout.
export function emit<T>(result: T, json: boolean | undefined, text: (r: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : text(result));
}

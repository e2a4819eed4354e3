/** A progress line on stderr (only on a terminal): a bar when the total is known, else a spinner with elapsed time. */
export function progress(label: string, total?: number) {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let done = 0;
  let frame = 0;
  const draw = (): void => {
    if (!tty) return;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    let line: string;
    if (total !== undefined && total > 0) {
      const width = 30;
      const filled = Math.min(width, Math.round((done / total) * width));
      line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${secs}s`;
    } else {
      line = `${label} ${'|/-\\'[frame++ % 4]} ${done > 0 ? `${done} ` : ''}${secs}s`;
    }
    process.stderr.write(`\r${line}\x1b[K`);
  };
  const timer = setInterval(draw, 120);
  timer.unref();
  return {
    tick(n = 1): void {
      done += n;
    },
    stop(): void {
      clearInterval(timer);
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

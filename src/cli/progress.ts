/// <reference types="node" />
/** A progress bar on stderr: redrawn in place on a terminal, one line per step elsewhere (logs, CI). */
export class Progress {
  private done = 0;
  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 24,
  ) {}

  /** Writes a line (an error, say) without tearing the bar. */
  note(line: string, to: NodeJS.WritableStream = this.stream): void {
    if (this.stream.isTTY) this.stream.write("\r\x1b[2K");
    to.write(line + "\n");
  }

  /** Marks one more item done. */
  tick(label: string): void {
    this.done++;
    const filled = Math.round((this.done / this.total) * this.width);
    const bar = `[${"#".repeat(filled)}${"-".repeat(this.width - filled)}] ${this.done}/${this.total} ${label}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${bar}`);
      if (this.done === this.total) this.stream.write("\n");
    } else {
      this.stream.write(bar + "\n");
    }
  }
}

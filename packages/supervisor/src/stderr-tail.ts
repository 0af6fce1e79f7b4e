/** The last `capacity` lines of a stream, kept for error reports. */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(private readonly capacity: number) {}

  push(line: string): void {
    if (this.capacity <= 0) return;
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  snapshot(): string[] {
    return [...this.lines];
  }
}

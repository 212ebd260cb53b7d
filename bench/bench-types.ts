export interface Figure {
  name: string;
  /** ours / peer, oriented so that the target reads as in the issue (see `target`). */
  ratio: number;
  figures: Record<string, number | string>;
  target: string;
  met: boolean;
}

export interface BenchSuite {
  description: string;
  run(): Promise<{ figures: Figure[]; notes: string[] }>;
}

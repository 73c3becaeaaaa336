import { pino } from 'pino';
import type { Logger } from '../logger.js';

/** A logger whose JSON lines a test reads back: pino writes each line synchronously to this destination. */
export function capturedLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

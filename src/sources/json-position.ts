import { createReadStream } from 'node:fs';

export interface JsonPosition {
  /** 0-based byte offset in the file. */
  offset: number;
  /** 1-based line and column (column in characters). */
  line: number;
  column: number;
}

export interface JsonSyntaxProblem extends JsonPosition {
  message: string;
}

type State =
  | 'value'
  | 'arrayFirst'
  | 'objectFirst'
  | 'key'
  | 'colon'
  | 'after'
  | 'string'
  | 'escape'
  | 'unicode'
  | 'number'
  | 'literal';

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NUMBER_CHAR = /[0-9.eE+-]/;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);
const HEX = /[0-9a-fA-F]/;

/**
 * A JSON syntax checker that only says where the first error is. The streaming parser reports
 * that a file is malformed but not where; this runs after it failed, over the same file, streamed,
 * so a user is told the line and column to look at.
 */
export class JsonScanner {
  private state: State = 'value';
  private readonly stack: string[] = [];
  private inKey = false;
  private hexLeft = 0;
  private literalLeft = '';
  private number = '';
  private numberStart: JsonPosition = { offset: 0, line: 1, column: 1 };
  private offset = 0;
  private line = 1;
  private column = 1;
  private problem: JsonSyntaxProblem | null = null;

  /** Feed the next piece of text; returns the first problem once one is found. */
  feed(text: string): JsonSyntaxProblem | null {
    for (let i = 0; i < text.length && !this.problem; i++) {
      const code = text.charCodeAt(i);
      const char = text[i];
      this.step(char);
      // UTF-8 width of this UTF-16 unit: a surrogate pair is 4 bytes, counted on its first half.
      this.offset +=
        code < 0x80
          ? 1
          : code < 0x800
            ? 2
            : code >= 0xdc00 && code <= 0xdfff
              ? 0
              : code >= 0xd800 && code <= 0xdbff
                ? 4
                : 3;
      if (char === '\n') {
        this.line++;
        this.column = 1;
      } else {
        this.column++;
      }
    }
    return this.problem;
  }

  /** The end of the input: a problem if the document is incomplete or was never started. */
  end(): JsonSyntaxProblem | null {
    if (this.problem) return this.problem;
    if (this.state === 'number') this.finishNumber();
    if (this.problem) return this.problem;
    if (this.state === 'after' && this.stack.length === 0) return null;
    return this.fail('unexpected end of file');
  }

  private here(): JsonPosition {
    return { offset: this.offset, line: this.line, column: this.column };
  }

  private fail(message: string, at: JsonPosition = this.here()): JsonSyntaxProblem {
    this.problem = { ...at, message };
    return this.problem;
  }

  private step(char: string): void {
    switch (this.state) {
      case 'string':
        if (char === '"') this.state = this.inKey ? 'colon' : 'after';
        else if (char === '\\') this.state = 'escape';
        else if (char.charCodeAt(0) < 0x20) this.fail('control character inside a string');
        return;
      case 'escape':
        if (!ESCAPES.has(char)) return void this.fail(`invalid escape "\\${char}"`);
        if (char === 'u') {
          this.hexLeft = 4;
          this.state = 'unicode';
        } else {
          this.state = 'string';
        }
        return;
      case 'unicode':
        if (!HEX.test(char)) return void this.fail('invalid \\u escape');
        if (--this.hexLeft === 0) this.state = 'string';
        return;
      case 'literal':
        if (char !== this.literalLeft[0]) return void this.fail(`unexpected character ${show(char)}`);
        this.literalLeft = this.literalLeft.slice(1);
        if (!this.literalLeft) this.state = 'after';
        return;
      case 'number':
        if (NUMBER_CHAR.test(char)) {
          this.number += char;
          return;
        }
        this.finishNumber();
        if (this.problem) return;
        return this.step(char);
    }
    if (WHITESPACE.has(char)) return;
    switch (this.state) {
      case 'value':
      case 'arrayFirst':
        if (this.state === 'arrayFirst' && char === ']') return this.close();
        return this.startValue(char);
      case 'objectFirst':
      case 'key':
        if (char === '"') {
          this.inKey = true;
          this.state = 'string';
        } else if (char === '}' && this.state === 'objectFirst') {
          this.close();
        } else {
          this.fail(`expected a quoted key, found ${show(char)}`);
        }
        return;
      case 'colon':
        if (char === ':') this.state = 'value';
        else this.fail(`expected ':', found ${show(char)}`);
        return;
      case 'after': {
        const top = this.stack.at(-1);
        if (!top) return void this.fail(`unexpected ${show(char)} after the end of the document`);
        if (char === ',') this.state = top === '[' ? 'value' : 'key';
        else if (char === (top === '[' ? ']' : '}')) this.close();
        else this.fail(`expected ',' or '${top === '[' ? ']' : '}'}', found ${show(char)}`);
        return;
      }
    }
  }

  private startValue(char: string): void {
    if (char === '{' || char === '[') {
      this.stack.push(char);
      this.state = char === '{' ? 'objectFirst' : 'arrayFirst';
    } else if (char === '"') {
      this.inKey = false;
      this.state = 'string';
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      this.number = char;
      this.numberStart = this.here();
      this.state = 'number';
    } else if (char === 't' || char === 'f' || char === 'n') {
      this.literalLeft = { t: 'rue', f: 'alse', n: 'ull' }[char];
      this.state = 'literal';
    } else {
      this.fail(`expected a value, found ${show(char)}`);
    }
  }

  private finishNumber(): void {
    if (!NUMBER.test(this.number)) this.fail(`invalid number ${show(this.number)}`, this.numberStart);
    else this.state = 'after';
  }

  private close(): void {
    this.stack.pop();
    this.state = 'after';
  }
}

function show(text: string): string {
  return JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text);
}

/** Where the first JSON syntax error of a file is, or null if the file is valid JSON. */
export async function locateJsonError(file: string): Promise<JsonSyntaxProblem | null> {
  const scanner = new JsonScanner();
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const problem = scanner.feed(chunk as string);
    if (problem) return problem;
  }
  return scanner.end();
}

/** The first non-whitespace character of a file and where it is (to say what the top level is). */
export async function firstSignificantChar(file: string): Promise<(JsonPosition & { char: string }) | null> {
  let offset = 0;
  let line = 1;
  let column = 1;
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    for (const char of chunk as string) {
      if (!WHITESPACE.has(char)) return { char, offset, line, column };
      offset += 1;
      if (char === '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
  }
  return null;
}

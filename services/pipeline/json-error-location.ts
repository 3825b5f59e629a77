import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/**
 * Where text that JSON.parse refused first goes wrong, as "line L, column C
 * (what was expected)", both 1-based. JSON.parse's own messages quote the
 * text around the error, which would echo a file's content (a secret, a
 * password file) into API answers, recon rows and logs; this says where, never what.
 */
export function jsonErrorLocation(text: string): string {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const [first] = errors;
  if (first === undefined) return 'an unknown position';
  const before = text.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - (before.lastIndexOf('\n') + 1) + 1;
  const what = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `line ${line}, column ${column} (${what})`;
}

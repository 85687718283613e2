/** Counted nouns for messages: "1 tool", "3 tools", "0 tools" (English plurals by rule, not "tool(s)"). */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

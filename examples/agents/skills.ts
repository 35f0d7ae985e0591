/**
 * The small, real work the example agents do. Pure functions over text, so what an agent delivers can be checked.
 */

/** The first sentence of the text (or its first 20 words), and how long the text was. */
export function summarise(text: string): { summary: string; words: number } {
  const words = text.split(/\s+/).filter(Boolean);
  const firstSentence = /^[^.!?]*[.!?]/.exec(text.trim())?.[0];
  const summary = firstSentence && firstSentence.split(/\s+/).length <= 30 ? firstSentence : `${words.slice(0, 20).join(' ')}…`;
  return { summary, words: words.length };
}

/** Title Case, one word at a time. */
export function titleCase(text: string): { transformed: string } {
  return { transformed: text.replace(/\S+/g, (word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()) };
}

/** What a verifier checks: the delivery has every field the job's output template names, none empty. */
export function verifyAgainstTemplate(deliverable: unknown, template: unknown): { accept: boolean; note: string } {
  if (typeof deliverable !== 'object' || deliverable === null) return { accept: false, note: 'the delivery is not an object' };
  const required = typeof template === 'object' && template !== null ? Object.keys(template) : [];
  const missing = required.filter((key) => {
    const value = (deliverable as Record<string, unknown>)[key];
    return value === undefined || value === null || value === '';
  });
  return missing.length === 0 ? { accept: true, note: `has ${required.join(', ') || 'content'}` } : { accept: false, note: `missing ${missing.join(', ')}` };
}

/** A source's answer: a number, or one line saying why there is none. */
export type Reading = { value: number; error?: undefined } | { error: string; value?: undefined };

/** The GS1 check digit of 12 digits. */
export function checkDigit(first12: string): number {
  const sum = [...first12].reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return (10 - (sum % 10)) % 10;
}

/** True when the 13 digits carry a correct GS1 check digit. */
export function validEan13(code: string): boolean {
  return /^\d{13}$/.test(code) && checkDigit(code.slice(0, 12)) === Number(code[12]);
}

let issued = 0;

/** A valid EAN-13 card number in the 20 range, different on every call: the clock's last seven
 * digits, then a per-process sequence (two calls in one millisecond used to collide one time in
 * a hundred) and a random digit (apart from other processes). */
export function freshCardNumber(): string {
  issued = (issued + 1) % 100;
  const tail = `${String(issued).padStart(2, '0')}${Math.floor(Math.random() * 10)}`;
  const body = `20${String(Date.now()).slice(-7)}${tail}`;
  return `${body}${checkDigit(body)}`;
}

/** Each app provides its validated config under this token too, so shared modules can read it. */
export const SHARED_SETTINGS = Symbol('SHARED_SETTINGS');

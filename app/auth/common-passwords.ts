// Passwords of 12+ characters that appear near the top of public breach corpora, plus the
// obvious local ones. Shorter common passwords are already refused by the length rule.
export const COMMON_PASSWORDS = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456789abc', '1234567890qwerty',
  'qwertyuiop123', 'qwerty123456', 'qwertyuiopasdf', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'zaq12wsxcde3',
  'password1234', 'password12345', 'password123456', 'passw0rd1234', 'p@ssw0rd1234', 'p@ssword1234',
  'iloveyou1234', 'welcome12345', 'welcome123456', 'administrator', 'administrator1', 'admin1234567',
  'adminadmin123', 'letmein12345', 'changeme1234', 'football1234', 'baseball1234', 'sunshine1234',
  'princess1234', 'abc123456789', 'abcdefghijkl', 'abcd12345678', 'aaaaaaaaaaaa', 'superman1234',
  'trustno11234', 'computer1234', 'internet1234', 'starwars1234', 'matkhau12345', 'matkhau123456',
  'matkhaumoi123', 'vietnam12345', 'vietnam123456', 'hanoi1234567', 'saigon123456', 'anhyeuem1234',
  'emyeuanh1234', 'csirt1234567', 'vncert123456', 'csirtnet1234', 'csirt-net-2026', 'password2024',
  'password2025', 'password2026', 'matkhau2025', 'matkhau2026', 'qwerty12345678', 'q1w2e3r4t5y6',
  '0123456789ab', '098765432100', '987654321000', '111111111111', '000000000000', '123123123123',
  '121212121212', '112233445566', '123321123321', '147258369000', '741852963000', 'asdfghjkl123',
  'zxcvbnm12345', 'iloveyou12345', 'monkey123456', 'dragon123456', 'master123456', 'shadow123456',
])

'use client';
/**
 * Light and dark: the system preference (prefers-color-scheme) unless the user picked one; the
 * pick is remembered in localStorage. The `dark` class on <html> drives Tailwind's dark variant
 * (globals.css); THEME_SCRIPT (theme-script.ts) sets it before first paint so a dark page never flashes white.
 */
import { useEffect, useState } from 'react';
import { FOCUS } from './ui';
import { THEME_KEY as KEY } from './theme-script';

export type ThemeChoice = 'system' | 'light' | 'dark';

function apply(choice: ThemeChoice) {
  const dark = choice === 'dark' || (choice === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
}

function stored(): ThemeChoice {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>('system');
  useEffect(() => setChoice(stored()), []);
  useEffect(() => {
    apply(choice);
    if (choice !== 'system') return;
    // Following the system: switch when the system does.
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => apply('system');
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [choice]);

  function pick(next: ThemeChoice) {
    setChoice(next);
    try {
      if (next === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
  }

  return (
    <label className="flex items-center gap-1 text-sm">
      <span className="sr-only">Theme</span>
      <select
        value={choice}
        onChange={(e) => pick(e.target.value as ThemeChoice)}
        className={`rounded border border-slate-300 bg-white px-1.5 py-1 text-sm text-slate-800 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 ${FOCUS}`}
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/** Where the theme choice is remembered (localStorage). */
export const THEME_KEY = 'keepwatch-theme';

/**
 * Runs inline in <head> before first paint (app/layout.tsx), so a dark page never flashes white;
 * kept tiny and self-contained. A plain module, not a client one: the server layout reads the
 * string itself.
 */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem('${THEME_KEY}');var d=t==='dark'||(t!=='light'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d)}catch(e){}})()`;

// The sign-in prompt: a modal form with a password-type field for the access token, built
// from DOM nodes. It stays open until `check(token)` accepts a token, and says so when the
// gateway refuses one.
import {h} from './dom.js';

// Resolves with {token, session} once `check(token)` returns a session (null = refused).
export function askForToken(reason, check) {
  return new Promise((resolve) => {
    const input = h('input', {type: 'password', id: 'sign-in-token', autocomplete: 'off', spellcheck: 'false',
                              autocapitalize: 'off', required: true, 'aria-describedby': 'sign-in-message'});
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
    const message = h('p', {class: 'sign-in-message', id: 'sign-in-message', role: 'status', 'aria-live': 'polite'});
    const say = (text, isError) => {
      message.textContent = text;
      message.classList.toggle('error-inline', Boolean(isError));
    };

    // method=dialog: even if the handler failed, the token never ends up in a URL.
    const form = h('form', {method: 'dialog', class: 'stacked-form', onsubmit: async (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) {
        say('Enter a token.', true);
        return;
      }
      submit.disabled = true;
      say('Checking…', false);
      try {
        const session = await check(token);
        if (!session) {
          say('That token was not accepted. Check it and try again.', true);
          input.select();
          return;
        }
        input.value = '';
        dialog.close();
        dialog.remove();
        resolve({token, session});
      } catch (error) {
        say(`Could not check the token: ${error.message}`, true);
      } finally {
        submit.disabled = false;
      }
    }},
      h('div', {class: 'field'}, h('label', {for: 'sign-in-token'}, 'Access token'), input),
      h('div', {class: 'form-actions'}, submit),
      message);

    const dialog = h('dialog', {class: 'sign-in', id: 'sign-in', 'aria-labelledby': 'sign-in-title',
                                'aria-describedby': 'sign-in-reason'},
      h('h2', {id: 'sign-in-title'}, 'Sign in'),
      h('p', {id: 'sign-in-reason'}, reason),
      h('p', {class: 'muted'}, 'The token is kept for this browser tab only.'),
      form);
    // Escape would leave a page that can show nothing: the prompt stays until a token works.
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}

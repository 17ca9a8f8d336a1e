// The emulator runs with --admin-token: nothing is shown until the token is given. It is kept in this tab's
// sessionStorage (gone when the tab closes) and sent as `Authorization: Bearer` with every control request.
import { useState } from 'preact/hooks'

export function TokenForm(props: { refused: boolean; onToken: (token: string) => void }) {
  const [value, setValue] = useState('')
  return (
    <main id="main" class="token">
      <h1>llm-feedback-emulator</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (value.trim() !== '') props.onToken(value.trim())
        }}
      >
        <p>This emulator's control API is protected (--admin-token). Enter the token to see its dashboard.</p>
        {props.refused && (
          <p role="alert" class="error">
            The emulator refused that token.
          </p>
        )}
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="admin-token"
          type="password"
          autoComplete="off"
          required
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <button type="submit">Open the dashboard</button>
      </form>
    </main>
  )
}

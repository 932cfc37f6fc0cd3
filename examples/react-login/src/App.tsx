export const App = () => <main><h1>Sign in</h1></main>

# dot (array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
block0:
  movq (%rdi), %rcx
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rax
  movq 0x18(%rdi), %r8
  movq 0x20(%rdi), %r8
  movq 0x28(%rdi), %r9
  movq 0x30(%rdi), %r9
  movq 0x38(%rdi), %r10
  movl 4(%rdx), %r10d
  leal 1(%r10), %r11d
  movl %r11d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r11d
  leal 1(%r10), %r10d
  cmpl %r11d, %r10d
  jnbe    label12; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %rax, %r11
  addq $0x0, %r11
  seto %r10b
  cmpq %r9, %r11
  setg %r9b
  orl %r10d, %r9d
  testb %r9b, %r9b
  jnz     label11; j label5
block5:
  uninit  %rdi
  xorq %rdi, %rdi
  uninit  %r9
  xorl %r9d, %r9d
  uninit  %xmm1
  vxorpd %xmm1, %xmm1, %xmm0
  jmp     label6
block6:
  cmpq %rax, %rdi
  jl      label9; j label7
block7:
  jmp     label8
block8:
  movb %r9b, (%rsi)
  vmovsd %xmm0, 8(%rsi)
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block9:
  vmovsd (%rcx, %rdi, 8), %xmm1
  vmovsd (%r8, %rdi, 8), %xmm2
  jmp     label10
block10:
  leaq 1(%rdi), %rdi
  movl $0x1, %r9d
  vmulsd %xmm2, %xmm1, %xmm1
  vaddsd %xmm1, %xmm0, %xmm0
  jmp     label6
block11:
  movq (%rdi), %rcx
  movq 8(%rdi), %rsi
  movq 0x10(%rdi), %r8
  movq 0x18(%rdi), %r9
  movq %rcx, 0x10(%rdx)
  movq %rsi, 0x18(%rdx)
  movq %r8, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %rdi
  movq %rcx, 0x30(%rdx)
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block12:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %rdi
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq %rbp, %rsp
  popq %rbp
  retq
